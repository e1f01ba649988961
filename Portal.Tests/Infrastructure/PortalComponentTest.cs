using Bunit;
using MudBlazor.Services;

namespace Portal.Tests.Infrastructure;

/// bunit with MudBlazor: loose JS interop, MudBlazor services, and async disposal (MudBlazor registers
/// services that are IAsyncDisposable only).
public abstract class PortalComponentTest : BunitContext, IAsyncLifetime
{
    protected PortalComponentTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}
