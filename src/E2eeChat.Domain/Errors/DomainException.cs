namespace E2eeChat.Domain.Errors;

/// <summary>
/// A request the domain refuses. <see cref="Code"/> is the stable, documented error code
/// clients switch on; <see cref="Extensions"/> carries structured detail (e.g. missing devices).
/// </summary>
public sealed class DomainException : Exception
{
    public DomainException(ErrorKind kind, string code, string detail,
        IReadOnlyDictionary<string, object?>? extensions = null)
        : base(detail)
    {
        Kind = kind;
        Code = code;
        Extensions = extensions ?? EmptyExtensions;
    }

    public DomainException()
        : this(ErrorKind.BadRequest, ErrorCodes.InvalidRequest, "The request is invalid.")
    {
    }

    public DomainException(string message)
        : this(ErrorKind.BadRequest, ErrorCodes.InvalidRequest, message)
    {
    }

    public DomainException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = ErrorKind.BadRequest;
        Code = ErrorCodes.InvalidRequest;
        Extensions = EmptyExtensions;
    }

    private static readonly IReadOnlyDictionary<string, object?> EmptyExtensions = new Dictionary<string, object?>();

    public ErrorKind Kind { get; }

    public string Code { get; }

    public IReadOnlyDictionary<string, object?> Extensions { get; }

    public static DomainException BadRequest(string code, string detail) => new(ErrorKind.BadRequest, code, detail);

    public static DomainException NotFound(string code, string detail) => new(ErrorKind.NotFound, code, detail);

    public static DomainException Conflict(string code, string detail) => new(ErrorKind.Conflict, code, detail);

    public static DomainException Forbidden(string code, string detail) => new(ErrorKind.Forbidden, code, detail);

    public static DomainException Unauthorized(string code, string detail) => new(ErrorKind.Unauthorized, code, detail);
}
