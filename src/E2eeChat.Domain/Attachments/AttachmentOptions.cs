using E2eeChat.Domain.Common;

namespace E2eeChat.Domain.Attachments;

/// <summary>Bound from the <c>Attachments</c> section; validated at start-up.</summary>
public sealed class AttachmentOptions : IValidatedOptions
{
    public const string SectionName = "Attachments";

    /// <summary>Largest upload (<c>Tus-Max-Size</c>).</summary>
    public long MaxBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Bytes one account may announce in uploads per UTC day (the sum of their <c>Upload-Length</c>s).</summary>
    public long DailyBytesPerAccount { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>A finished attachment is deleted this long after its last byte arrived.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>An unfinished upload is deleted this long after its creation (<c>Upload-Expires</c>).</summary>
    public TimeSpan UnfinishedRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A PATCH whose body sends nothing for this long is ended; the bytes before are kept.</summary>
    public TimeSpan BodyIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the reaper deletes expired attachments and uploads.</summary>
    public TimeSpan ReaperInterval { get; set; } = TimeSpan.FromMinutes(5);

    public void Validate()
    {
        if (MaxBytes < 1)
        {
            throw new InvalidOperationException($"{SectionName}:MaxBytes must be at least 1.");
        }
        if (DailyBytesPerAccount < MaxBytes)
        {
            throw new InvalidOperationException(
                $"{SectionName}:DailyBytesPerAccount ({DailyBytesPerAccount}) must be at least {SectionName}:MaxBytes ({MaxBytes}).");
        }
        if (Retention <= TimeSpan.Zero || UnfinishedRetention <= TimeSpan.Zero || ReaperInterval <= TimeSpan.Zero
            || BodyIdleTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                $"{SectionName}:Retention, UnfinishedRetention, BodyIdleTimeout and ReaperInterval must be positive.");
        }
    }
}
