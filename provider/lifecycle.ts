// Kept at its old path: stacks created by earlier versions call this module from their state.
export * from "./lifecycle/smtp-settings";
