using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace E2eeChat.Server.Logging;

/// <summary>
/// What may reach a log: the one place that decides. Secrets (access and refresh tokens, link
/// codes, passwords, credentials in headers or connection strings) are replaced by
/// <see cref="Marker"/>, and objects are logged by type name only, since their
/// <c>ToString()</c> may print any property (a request record prints its password).
/// </summary>
internal static partial class LogRedactor
{
    public const string Marker = "[redacted]";

    private const string SecretWord = "password|passwd|pwd|secret|token|authorization|cookie|linkcode|link_code|signingkey|apikey|api_key|accesskey|access_key|access-key";

    // In free text, a name that ends in a secret word ("access_token", "refreshToken", "Password"),
    // but not a longer word that contains one ("SecurityTokenException", "AuthorizationRequirement").
    // An assembly's PublicKeyToken is public.
    private const string SecretNameInText = @"(?<![\w-])(?:[A-Za-z0-9]*[_-])*[A-Za-z]*(?<!PublicKey)(?:" + SecretWord + @")(?![\w-])";

    /// <summary>A structured value as it may be logged: safe scalars stay typed, everything else becomes scrubbed text.</summary>
    public static object? RedactValue(string key, object? value)
    {
        if (value is null || key == RedactedLogState.OriginalFormatKey)
        {
            return value;
        }
        if (SecretName().IsMatch(key))
        {
            return Marker;
        }
        return value switch
        {
            string text => RedactWholeValue(text),
            bool or char or Enum or Guid or DateTime or DateTimeOffset or TimeSpan => value,
            byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal => value,
            // Types whose text is an address or a name, scrubbed like any text (a URI may carry a query).
            Uri or IPAddress or EndPoint or MemberInfo or Endpoint or Version or PathString or HostString or QueryString =>
                Scrub(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty),
            IEnumerable items => JoinRedacted(items),
            _ => value.GetType().Name,
        };
    }

    /// <summary>Removes every secret this class recognises from free text: messages, exception text, URLs.</summary>
    public static string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = Jwt().Replace(text, Marker);
        text = AuthorizationScheme().Replace(text, "$1 " + Marker);
        text = QueryValue().Replace(text, "$1" + Marker);
        text = SecretRecordMember().Replace(text, "$1" + Marker);
        text = SecretJsonMember().Replace(text, "$1\"" + Marker + "\"");
        return SecretAssignment().Replace(text, "$1" + Marker);
    }

    /// <summary>
    /// A value that is an object's printout as a whole (<c>LoginRequest { … }</c>, as MVC logs action
    /// arguments) keeps only its type name: nothing inside it can be trusted to end where a pattern expects.
    /// </summary>
    private static string RedactWholeValue(string text)
    {
        var printed = ObjectPrintout().Match(text);
        return printed.Success ? printed.Groups["type"].Value + " { " + Marker + " }" : Scrub(text);
    }

    private static string JoinRedacted(IEnumerable items)
    {
        var joined = new StringBuilder();
        foreach (var item in items)
        {
            if (joined.Length > 0)
            {
                joined.Append(", ");
            }
            joined.Append(Convert.ToString(RedactValue(string.Empty, item), CultureInfo.InvariantCulture) ?? "(null)");
        }
        return joined.ToString();
    }

    [GeneratedRegex(SecretWord, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    // A JWT (or JWE): base64url JSON header "eyJ…", then two to four more dot-separated parts.
    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){2,4}", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\b(Bearer|Basic|Digest|Negotiate|NTLM)\s+[A-Za-z0-9._~+/=-]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationScheme();

    // Every query parameter's value, whatever its name: SignalR's connection token (?id=) and
    // access_token ride there, and a query value is never needed to read a log.
    [GeneratedRegex(@"([?&][^=&?#\s""'<>]+=)[^&#\s""'<>]+", RegexOptions.CultureInvariant)]
    private static partial Regex QueryValue();

    // A record or anonymous object printed inside a longer text: "Password = a b c, Next = …" or "… }".
    [GeneratedRegex("(" + SecretNameInText + @" = )(?!\[redacted\]).*?(?=, [A-Za-z_]\w* = | \}|$)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex SecretRecordMember();

    [GeneratedRegex(@"(""" + SecretNameInText + @"""\s*:\s*)""(?:[^""\\]|\\.)*""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretJsonMember();

    // name=value and name: value, as in connection strings ("Password=…;") and headers.
    [GeneratedRegex("(" + SecretNameInText + @"\s*[=:]\s*)(?!\[redacted\])[^;,&\s""'}\]]+",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretAssignment();

    [GeneratedRegex(@"^(?<type>[A-Za-z_][\w.`+<>\[\], ]*?) \{ .* \}$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ObjectPrintout();
}
