using System.Net;

namespace E2eeChat.LoadTest.Api;

/// <summary>The server refused a request of the tool's own (sign-up, link, room, REST send).</summary>
internal sealed class ApiException : Exception
{
    public ApiException()
    {
    }

    public ApiException(string message)
        : base(message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ApiException(string message, HttpStatusCode status, string? code)
        : base(message)
    {
        Status = status;
        Code = code;
    }

    public HttpStatusCode Status { get; }

    public string? Code { get; }

    public bool IsRateLimited => Status == HttpStatusCode.TooManyRequests;
}
