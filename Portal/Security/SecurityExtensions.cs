using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Identity.Web;
using Portal.Core.Persistence;
using Portal.Core.Security;

namespace Portal.Security;

public enum AuthenticationMode { Local, EntraId }

public static class SecurityExtensions
{
    private const string PortalScheme = "Portal";

    /// Paths for programs rather than browsers (the API and the Prometheus scrape): no sign-in redirects, and
    /// problem details for every refusal and error.
    public static bool IsMachinePath(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics");

    public static AuthenticationMode ModeOf(IConfiguration configuration)
    {
        var value = configuration["Authentication:Mode"];
        if (string.IsNullOrWhiteSpace(value) || value.Equals("Local", StringComparison.OrdinalIgnoreCase)) return AuthenticationMode.Local;
        if (value.Equals("EntraId", StringComparison.OrdinalIgnoreCase)) return AuthenticationMode.EntraId;
        throw new InvalidOperationException($"Authentication:Mode '{value}' is not known; use 'Local' or 'EntraId'.");
    }

    public static IHostApplicationBuilder AddPortalSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var mode = ModeOf(builder.Configuration);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ApiTokenService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<AccessCheck>();
        services.Configure<AccessCheckOptions>(o => o.LocalAccounts = mode == AuthenticationMode.Local);
        services.AddHttpContextAccessor();
        services.AddDataProtection().SetApplicationName("Portal").UsePortalKeyRing(builder.Configuration);

        var browserScheme = mode == AuthenticationMode.Local ? IdentityConstants.ApplicationScheme : CookieAuthenticationDefaults.AuthenticationScheme;
        var authentication = services
            .AddAuthentication(o =>
            {
                o.DefaultScheme = PortalScheme;
                o.DefaultChallengeScheme = PortalScheme;
            })
            .AddPolicyScheme(PortalScheme, "Portal", o => o.ForwardDefaultSelector = context =>
                ApiTokenAuthenticationHandler.HasBearer(context) ? ApiTokenAuthenticationHandler.SchemeName
                : mode == AuthenticationMode.EntraId && !IsMachinePath(context.Request.Path) ? OpenIdConnectDefaults.AuthenticationScheme
                : browserScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);

        if (mode == AuthenticationMode.Local)
        {
            authentication.AddIdentityCookies();
            services.AddIdentityCore<PortalUser>(o =>
                {
                    o.User.RequireUniqueEmail = true;
                    o.Password.RequiredLength = 10;
                    o.Password.RequireNonAlphanumeric = false;
                    o.Lockout.MaxFailedAccessAttempts = 5;
                    o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                    o.Lockout.AllowedForNewUsers = true;
                })
                .AddEntityFrameworkStores<PortalDbContext>()
                .AddSignInManager<PortalSignInManager>()
                .AddClaimsPrincipalFactory<PortalClaimsPrincipalFactory>()
                .AddDefaultTokenProviders();
            services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
            services.ConfigureApplicationCookie(ConfigureBrowserCookie);
            services.AddOptions<CircuitRevalidationOptions>().BindConfiguration(CircuitRevalidationOptions.Section)
                .Validate(o => o.RevalidationInterval > TimeSpan.Zero, "Authentication:RevalidationInterval is not above zero; use a time such as 00:00:30.")
                .ValidateOnStart();
            services.AddScoped<AuthenticationStateProvider, AccountRevalidatingAuthenticationStateProvider>();
        }
        else
        {
            // Entra ID keeps the default provider: a person's roles come from Entra with the sign-in and Portal holds no
            // account to read them again from, so a revalidation could only confirm the sign-in itself. The services
            // check each write against those roles (AccessCheckOptions.LocalAccounts is off); a change made in Entra
            // reaches Portal with the next sign-in.
            authentication.AddMicrosoftIdentityWebApp(builder.Configuration.GetSection("AzureAd"));
            services.Configure<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme, ConfigureBrowserCookie);
            services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme,
                o => o.TokenValidationParameters.RoleClaimType = "roles");
        }

        services.AddAuthorizationBuilder().AddPermissionPolicies();
        services.AddSingleton<IAuthorizationHandler, PermissionHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ApiAwareAuthorizationResultHandler>();
        services.AddCascadingAuthenticationState();
        return builder;
    }

    private static void ConfigureBrowserCookie(CookieAuthenticationOptions o)
    {
        o.LoginPath = "/login";
        o.AccessDeniedPath = "/denied";
        o.Cookie.Name = "portal.auth";
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Lax;
        o.SlidingExpiration = true;
        o.ExpireTimeSpan = TimeSpan.FromHours(12);
        // Signing in on the login page, the handler itself redirects to the query's ReturnUrl, as it was decoded.
        o.Events.OnRedirectToReturnUrl = context =>
        {
            context.Response.Redirect(ReturnUrls.LocalOrHome(context.RedirectUri));
            return Task.CompletedTask;
        };
    }
}
