using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Conversations;
using E2eeChat.Domain.Attachments;
using E2eeChat.Domain.Devices;
using E2eeChat.Domain.Keys;
using E2eeChat.Domain.Messages;
using E2eeChat.Domain.Rooms;
using E2eeChat.Domain.Sessions;
using E2eeChat.Server.Attachments;
using E2eeChat.Server.Auth;
using E2eeChat.Server.Auth.Passwords;
using E2eeChat.Server.Calling;
using E2eeChat.Server.Certificates;
using E2eeChat.Server.Cluster;
using E2eeChat.Server.Delivery;
using E2eeChat.Server.Errors;
using E2eeChat.Server.Health;
using E2eeChat.Server.Hub;
using E2eeChat.Server.Json;
using E2eeChat.Server.Keys;
using E2eeChat.Server.Limits;
using E2eeChat.Server.Logging;
using E2eeChat.Server.Messages;
using E2eeChat.Server.Metrics;
using E2eeChat.Server.MsgPack;
using E2eeChat.Server.Push;
using E2eeChat.Server.Shutdown;
using E2eeChat.Storage;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Hosting;

/// <summary>The composition root: configuration in, every service registered once.</summary>
public static class E2eeChatServices
{
    public static IServiceCollection AddE2eeChat(this IServiceCollection services, IConfiguration configuration)
    {
        var storage = configuration.BindOptions<StorageOptions>(StorageOptions.SectionName);
        var auth = configuration.BindOptions<AuthOptions>(AuthOptions.SectionName);
        var messaging = configuration.BindOptions<MessagingOptions>(MessagingOptions.SectionName);
        var devices = configuration.BindOptions<DeviceOptions>("Devices");
        var rooms = configuration.BindOptions<RoomOptions>(RoomOptions.SectionName);
        rooms.ValidateFanOut(devices.MaxDevices);

        services.AddRedactedLogging();
        services.AddE2eeChatMetrics(MetricsSetup.Bind(configuration));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(storage);
        services.AddSingleton(auth);
        var rateLimits = configuration.BindOptions<RateLimitOptions>(RateLimitOptions.SectionName);
        services.AddSingleton(rateLimits);
        services.AddSingleton<IPasswordHasher>(new SodiumPasswordHasher(
            configuration.BindOptions<PasswordHashingOptions>(PasswordHashingOptions.SectionName)));
        services.AddSingleton(devices);
        var sessions = configuration.BindOptions<SessionTokenOptions>("Sessions");
        services.AddSingleton(sessions);
        services.AddSingleton(messaging);
        services.AddSingleton(rooms);
        var cluster = configuration.BindOptions<ClusterOptions>(ClusterOptions.SectionName);
        services.AddSingleton(cluster);
        services.AddSingleton(configuration.BindOptions<HealthOptions>(HealthOptions.SectionName));
        services.AddSingleton(configuration.BindOptions<ApiDocsOptions>(ApiDocsOptions.SectionName));
        services.AddSingleton<InstanceIdentity>();
        var prekeys = configuration.BindOptions<PrekeyOptions>(PrekeyOptions.SectionName);
        services.AddSingleton(prekeys);
        var attachments = configuration.BindOptions<AttachmentOptions>(AttachmentOptions.SectionName);
        services.AddSingleton(attachments);
        var calling = configuration.BindOptions<CallingOptions>(CallingOptions.SectionName);
        services.AddSingleton(calling);

        // Fail start-up with a clear message when cluster mode has no signing key or no certificates
        // (the certificates are resolved, and generated if need be, when the pipeline logs the trust root).
        var signingKey = SigningKey.Resolve(auth, storage);
        services.AddSingleton(signingKey);
        services.AddSingleton(new RefreshTokenSuccessor(signingKey.DeriveKey("e2eechat refresh-token successor v1")));
        var certificates = configuration.BindOptions<CertificateOptions>(CertificateOptions.SectionName);
        services.AddSingleton(sp => SenderCertificates.Resolve(certificates, storage, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(_ => SqlStorage.Create(storage, messaging.MailboxQuota));
        services.AddSingleton(sp => sp.GetRequiredService<SqlStorage>().Accounts);
        services.AddSingleton(sp => sp.GetRequiredService<SqlStorage>().Devices);
        services.AddSingleton(sp => sp.GetRequiredService<SqlStorage>().Sessions);
        services.AddSingleton(sp => sp.GetRequiredService<SqlStorage>().LinkCodes);
        services.AddSingleton(sp => sp.GetRequiredService<SqlStorage>().Mailboxes);
        services.AddSingleton(sp => sp.GetRequiredService<SqlStorage>().Prekeys);
        services.AddSingleton(sp => sp.GetRequiredService<SqlStorage>().Rooms);
        services.AddSingleton(sp => sp.GetRequiredService<SqlStorage>().Attachments);
        services.AddSingleton(sp => sp.GetRequiredService<SqlStorage>().PushRegistrations);
        services.AddPushWakeUps(configuration, storage);

        services.AddSingleton<ISessionRevocations, ConnectionRevocations>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<DeviceService>();
        services.AddSingleton<IIdentityKeySignatures, XEdDsaIdentityKeySignatures>();
        services.AddSingleton<PrekeyDirectory>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<MessageService>();
        services.AddSingleton<UserEvents>();
        services.AddSingleton<ReceiptFanout>();
        services.AddSingleton<HubMessageEvents>();
        services.AddSingleton<IMessageEvents>(sp =>
            new MeteredMessageEvents(sp.GetRequiredService<HubMessageEvents>(), sp.GetRequiredService<E2eeChatMetrics>()));
        services.AddSingleton<RoomService>();
        services.AddSingleton<IRoomEvents, HubRoomEvents>();
        services.AddSingleton<ConversationAudience>();
        services.AddSingleton<DeviceConnections>();
        services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        services.AddHostedService<MailboxReaper>();
        services.AddHostedService<LiveSessionAudit>();
        services.AddSingleton<AttachmentService>();
        services.AddHostedService<AttachmentReaper>();

        // Base64 makes content 4/3 larger; the rest is JSON around it. MessagePack carries content as bytes: smaller.
        var maxBodyBytes = (messaging.MaxRequestBytes / 3 * 4) + (256 * 1024);
        services.Configure<KestrelServerOptions>(options => options.Limits.MaxRequestBodySize = maxBodyBytes);
        var signalR = services.AddSignalR(options =>
            {
                options.MaximumReceiveMessageSize = maxBodyBytes;
                // First, so that what the error filter logs is inside the connection's scope.
                options.AddFilter<HubConnectionLogScope>();
                options.AddFilter<HubErrorFilter>();
            })
            .AddJsonProtocol(options => WireJson.Configure(options.PayloadSerializerOptions))
            .AddMessagePackProtocol(options => options.SerializerOptions = WireMessagePack.Options);
        services.Configure<LoggerFilterOptions>(HubErrorFilter.SilenceDispatcherErrors);
        services.AddClusterServices(signalR, configuration);

        services.AddControllers().AddJsonOptions(options => WireJson.Configure(options.JsonSerializerOptions));
        services.Configure<MvcOptions>(options => options.SuppressImplicitRequiredAttributeForNonNullableReferenceTypes = true);
        services.AddProblemResponses();
        services.AddAccessTokenAuthentication();
        services.AddAuthorization();
        services.AddReadinessChecks();
        var shutdown = configuration.BindOptions<ShutdownOptions>(ShutdownOptions.SectionName);
        services.AddGracefulDrain(shutdown);
        services.AddOpenApi();
        var proxies = configuration.BindOptions<TrustedProxyOptions>(TrustedProxyOptions.SectionName);
        services.Configure<ForwardedHeadersOptions>(proxies.ApplyTo);
        return services;
    }
}
