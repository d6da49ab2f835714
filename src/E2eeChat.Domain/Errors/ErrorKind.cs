namespace E2eeChat.Domain.Errors;

/// <summary>The class of a failure; the host maps each kind to one HTTP status.</summary>
public enum ErrorKind
{
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    Gone,
    PayloadTooLarge,
    UnprocessableEntity,
    TooManyRequests,
    PreconditionFailed,
    UnsupportedMediaType,
    RangeNotSatisfiable,
    Locked,
    ServiceUnavailable,
}
