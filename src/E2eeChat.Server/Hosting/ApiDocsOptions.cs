using E2eeChat.Domain.Common;
using E2eeChat.Storage;

namespace E2eeChat.Server.Hosting;

/// <summary>Bound from the <c>ApiDocs</c> section: the API's own description (the OpenAPI document at /openapi/v1.json).</summary>
public sealed class ApiDocsOptions : IValidatedOptions
{
    public const string SectionName = "ApiDocs";

    /// <summary>
    /// Serve the API description. By default in Development and in the embedded mode (someone trying the server
    /// out); a cluster in Production describes itself to nobody unless an operator says so.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>A switch binds or fails binding: nothing is left to check.</summary>
    public void Validate()
    {
    }

    public bool IsEnabled(IHostEnvironment environment, StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return Enabled ?? (environment.IsDevelopment() || storage.Provider == StorageProvider.Sqlite);
    }
}
