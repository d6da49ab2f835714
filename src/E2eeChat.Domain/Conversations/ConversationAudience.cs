using E2eeChat.Domain.Errors;
using E2eeChat.Domain.Messages;
using E2eeChat.Domain.Rooms;

namespace E2eeChat.Domain.Conversations;

/// <summary>
/// Who hears a user's ephemeral events (DESIGN §5.4, §8b). Typing and presence go only to mutual contacts (each has sent
/// the other a direct message: one unanswered message makes no contact) and to the other members of a room both are
/// members of (an invitation is no membership). Never stored; the real-time layer sends what this decides.
/// </summary>
public sealed class ConversationAudience(IMailboxStore mailbox, IRoomStore rooms)
{
    /// <summary>
    /// Who hears <paramref name="userId"/> typing in <paramref name="conversationId"/>: a mutual contact's user id, or a
    /// room the user is a member of. Throws <c>not_in_conversation</c> for anything else.
    /// </summary>
    public async Task<TypingAudience> TypingAsync(Guid userId, string? conversationId, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(conversationId, out var id))
        {
            if (id != userId && await mailbox.AreMutualContactsAsync(userId, id, cancellationToken).ConfigureAwait(false))
            {
                // From the contact's side, the conversation is the one with the typist.
                return new TypingAudience(userId.ToString(), [id]);
            }
            if (await rooms.FindAsync(id, userId, cancellationToken).ConfigureAwait(false) is { } room)
            {
                var others = new List<Guid>(room.Members.Count);
                foreach (var member in room.Members)
                {
                    if (member.UserId != userId)
                    {
                        others.Add(member.UserId);
                    }
                }
                return new TypingAudience(room.RoomId.ToString(), others);
            }
        }
        throw DomainException.Forbidden(ErrorCodes.NotInConversation,
            "Typing goes only to a mutual contact (you have each sent the other a message) or to a room you are a member of.");
    }

    /// <summary>Who hears <paramref name="userId"/> come online and go offline: mutual contacts and room co-members.</summary>
    public async Task<IReadOnlyCollection<Guid>> PresenceAsync(Guid userId, CancellationToken cancellationToken)
    {
        var audience = new HashSet<Guid>(await mailbox.MutualContactsAsync(userId, cancellationToken).ConfigureAwait(false));
        audience.UnionWith(await rooms.PeersAsync(userId, cancellationToken).ConfigureAwait(false));
        return audience;
    }
}

/// <summary>The users a typing event goes to, and the conversation id as they know it.</summary>
public sealed record TypingAudience(string ConversationId, IReadOnlyList<Guid> Users);
