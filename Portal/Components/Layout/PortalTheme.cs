using MudBlazor;

namespace Portal.Components.Layout;

public static class PortalTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight { Primary = "#0b6b3a", AppbarBackground = "#0b3d2a", Secondary = "#4a5568" },
        PaletteDark = new PaletteDark { Primary = "#4cc38a", AppbarBackground = "#10231b", Secondary = "#a0aec0" },
    };
}
