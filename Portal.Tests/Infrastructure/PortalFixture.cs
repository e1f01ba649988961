namespace Portal.Tests.Infrastructure;

/// One portal (with its own database) shared by the tests of a class.
public sealed class PortalFixture : IDisposable
{
    public PortalAppFactory Factory { get; } = new();
    public void Dispose() => Factory.Dispose();
}
