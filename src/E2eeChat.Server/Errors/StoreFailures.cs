using System.Data.Common;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Server.Errors;

/// <summary>
/// A database that does not answer (down, restarting, refusing connections) is the server's state, not a bug: the
/// caller gets 503 <c>store_unavailable</c> (a hub call the same code) and may retry, with the same <c>messageId</c>
/// for a send. Nothing is answered as done unless it committed.
/// </summary>
internal static class StoreFailures
{
    public static DomainException? AsRefusal(Exception exception) => exception is DbException { IsTransient: true }
        ? new DomainException(ErrorKind.ServiceUnavailable, ErrorCodes.StoreUnavailable,
            "The database does not answer right now; the request may not have been carried out. Retry it (a send with the same messageId).")
        : null;
}
