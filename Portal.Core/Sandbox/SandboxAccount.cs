using Portal.Core.PagerDuty;

namespace Portal.Core.Sandbox;

/// The sandbox account's fixed directory: services, escalation policies, priorities and users. `PNE3JZM` is the
/// service of the contract's example rule, so that the example works before any key is entered.
public static class SandboxAccount
{
    public const string HtmlBase = "https://sandbox.portal.invalid";

    public static readonly PdReference[] Services =
    [
        new("PNE3JZM", "Checkout"),
        new("PSBXPAY", "Payments"),
        new("PSBXMAIL", "E-mail delivery"),
        new("PSBXAPI", "Public API"),
    ];

    /// The business services the sandbox starts with (seeded by the migration) and the technical services each depends on.
    public static readonly (string Id, string Name, string Description, string[] SupportingServiceIds)[] BusinessServices =
    [
        ("PBSXSTORE", "Online store", "Customers browse, pay and check out", ["PNE3JZM", "PSBXPAY"]),
        ("PBSXBILL", "Billing and invoices", "Invoices, refunds and card payments", ["PSBXPAY", "PSBXMAIL"]),
        ("PBSXNOTIFY", "Customer notifications", "Order confirmations and password resets by e-mail", ["PSBXMAIL"]),
        ("PBSXPARTNER", "Partner integrations", "The public API partners build on", ["PSBXAPI"]),
    ];

    public static readonly PdReference[] EscalationPolicies =
    [
        new("P482651", "Checkout on-call"),
        new("PSBXEP2", "Payments on-call"),
        new("PSBXEP3", "Platform on-call"),
    ];

    public static readonly PdReference[] Priorities =
    [
        new("PSBXP1", "P1"), new("PSBXP2", "P2"), new("PSBXP3", "P3"), new("PSBXP4", "P4"), new("PSBXP5", "P5"),
    ];

    public static readonly (PdReference User, string Email)[] Users =
    [
        (new("PSBXU01", "Sam Responder"), "sam@sandbox.portal.invalid"),
        (new("PSBXU02", "Alex On-call"), "alex@sandbox.portal.invalid"),
        (new("PSBXU03", "Robin Lead"), "robin@sandbox.portal.invalid"),
    ];

    /// Each service's escalation policy, and who is on call for it first.
    public static string EscalationPolicyOf(string serviceId) => serviceId switch
    {
        "PNE3JZM" => "P482651",
        "PSBXPAY" => "PSBXEP2",
        _ => "PSBXEP3",
    };

    public static string OnCallFor(string escalationPolicyId) => escalationPolicyId switch
    {
        "P482651" => "Sam Responder",
        "PSBXEP2" => "Alex On-call",
        _ => "Robin Lead",
    };

    /// Who is on call at `level` of the policy: its first responder at level 1, then the account's next users in turn.
    public static string OnCallFor(string escalationPolicyId, int level)
    {
        var first = Array.FindIndex(Users, u => u.User.Name == OnCallFor(escalationPolicyId));
        return Users[(first + Math.Max(level, 1) - 1) % Users.Length].User.Name;
    }

    public static string? Name(IEnumerable<PdReference> references, string? id) => references.FirstOrDefault(r => r.Id == id)?.Name;
}
