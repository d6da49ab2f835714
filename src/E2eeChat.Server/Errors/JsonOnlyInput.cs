using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Formatters;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace E2eeChat.Server.Errors;

/// <summary>
/// The API reads JSON in UTF-8 and nothing else. MVC would also transcode UTF-16 bodies (an odd byte count
/// threw a DecoderFallbackException: a 500) and parse form bodies for model binding (a malformed form key threw
/// an ArgumentException: a 500). Without those, any other charset or form gets 415 <c>unsupported_media_type</c>.
/// </summary>
internal static class JsonOnlyInput
{
    public static void Configure(MvcOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValueProviderFactories.RemoveType<FormValueProviderFactory>();
        options.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
        options.ValueProviderFactories.RemoveType<FormFileValueProviderFactory>();
        foreach (var formatter in options.InputFormatters.OfType<TextInputFormatter>())
        {
            for (var i = formatter.SupportedEncodings.Count - 1; i >= 0; i--)
            {
                if (formatter.SupportedEncodings[i].CodePage != Encoding.UTF8.CodePage)
                {
                    formatter.SupportedEncodings.RemoveAt(i);
                }
            }
        }
    }
}
