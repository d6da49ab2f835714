namespace E2eeChat.Domain.Accounts;

/// <summary>The outcome of checking a password against a stored hash.</summary>
public enum PasswordVerification
{
    Failed = 0,
    Succeeded,

    /// <summary>The password is right, but the stored hash is weaker than (or not in the form of) what is configured now: store a new one.</summary>
    SucceededRehashNeeded,
}
