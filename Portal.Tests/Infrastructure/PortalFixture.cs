using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Records;

namespace Portal.Tests.Infrastructure;

/// One portal (with its own database) shared by the tests of a class.
public sealed class PortalFixture : IDisposable
{
    private readonly Lazy<Task<string>> _case;

    public PortalFixture() : this(new PortalAppFactory()) { }

    /// Around a given portal (one on PostgreSQL, `PostgresCluster.SharedPortal`); internal, since xunit wants one
    /// public constructor on a class fixture.
    internal PortalFixture(PortalAppFactory factory)
    {
        Factory = factory;
        _case = new(async () => (await Factory.Services.GetRequiredService<RecordStore>()
            .CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Fixture case"}""").RootElement, ChangeActor.System)).Id);
    }

    public PortalAppFactory Factory { get; }

    /// A Case record that exists in this portal's database.
    public Task<string> CaseIdAsync() => _case.Value;

    public void Dispose() => Factory.Dispose();
}
