using E2eeChat.Domain.Common;

namespace E2eeChat.Server.Hosting;

/// <summary>The one way options are read: bind the section, validate, hand out the instance.</summary>
internal static class OptionsBinding
{
    public static T BindOptions<T>(this IConfiguration configuration, string section)
        where T : IValidatedOptions, new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new T();
        configuration.GetSection(section).Bind(options);
        options.Validate();
        return options;
    }
}
