// Kept at its old path: policy packs installed with earlier versions load this module.
export * from "./policy/policies";
