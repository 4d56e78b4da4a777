// The DNN SMTP policy pack (Pulumi CrossGuard). The rules are the pure functions of
// pulumi-dnn-smtp/dist/provider/policy/policies (unit-tested there); this file only adapts them
// to @pulumi/policy. Plain JavaScript, so the pack runs from node_modules as it is shipped.
//
// Both modules are resolved from the node_modules the pack is installed in: install
// `@pulumi/policy` next to `pulumi-dnn-smtp` in the project that runs the pack.
const { PolicyPack } = require("@pulumi/policy");
const {
  DEFAULT_PRODUCTION_STACKS,
  POLICIES,
  stackOfUrn,
} = require("pulumi-dnn-smtp/dist/provider/policy/policies");

/** Policy config per rule; only the production rule takes any. */
const CONFIG_SCHEMAS = {
  "dnn-smtp-production-precheck": {
    properties: {
      productionStacks: {
        type: "array",
        items: { type: "string" },
        default: [...DEFAULT_PRODUCTION_STACKS],
        description: "Stack names that are production (case-insensitive).",
      },
    },
  },
};

new PolicyPack("dnn-smtp", {
  enforcementLevel: "mandatory",
  policies: POLICIES.map((rule) => ({
    name: rule.name,
    description: rule.description,
    configSchema: CONFIG_SCHEMAS[rule.name],
    validateResource: (args, reportViolation) => {
      // Each rule names the resource types it is about (SmtpSettings, UseGlobalSmtpSettings).
      if (!rule.resourceTypes.includes(args.type)) return;
      const subject = {
        props: args.props,
        additionalSecretOutputs: args.opts.additionalSecretOutputs,
        stack: stackOfUrn(args.urn),
      };
      for (const violation of rule.check(subject, args.getConfig())) {
        reportViolation(`${args.name}: ${violation.field}: ${violation.message}`, args.urn);
      }
    },
  })),
});
