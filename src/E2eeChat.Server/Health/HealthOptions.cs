using E2eeChat.Domain.Common;

namespace E2eeChat.Server.Health;

/// <summary>Bound from the <c>Health</c> section.</summary>
public sealed class HealthOptions : IValidatedOptions
{
    public const string SectionName = "Health";

    /// <summary>
    /// Whether /health/live and /health/ready add this instance's name, its connection count and each check's
    /// status and detail to their status. Anyone may call them, so by default only in Development.
    /// </summary>
    public bool? ShowDetails { get; set; }

    /// <summary>A switch binds or fails binding: nothing is left to check.</summary>
    public void Validate()
    {
    }

    public bool ShowsDetails(IHostEnvironment environment) => ShowDetails ?? environment.IsDevelopment();
}
