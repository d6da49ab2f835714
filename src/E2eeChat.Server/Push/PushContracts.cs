using E2eeChat.Domain.Push;

namespace E2eeChat.Server.Push;

/// <summary><c>PUT /api/v1/devices/me/push</c>: exactly one of the two.</summary>
public sealed record PushRegistrationRequest(WebPushSubscriptionRequest? WebPush, PushGatewayRequest? Gateway);

/// <summary>A browser's <c>PushSubscription.toJSON()</c>: the push resource and its keys, base64url.</summary>
public sealed record WebPushSubscriptionRequest(string? Endpoint, WebPushKeysRequest? Keys);

public sealed record WebPushKeysRequest(string? P256dh, string? Auth);

/// <summary>A push gateway (Matrix push gateway API) and the ids it knows the device by.</summary>
public sealed record PushGatewayRequest(string? Url, string? AppId, string? PushKey);

/// <summary>What is registered, without the keys: <c>{webPush: {endpoint}}</c> or <c>{gateway: {url, appId}}</c>.</summary>
public sealed record PushRegistrationResponse(WebPushRegistrationView? WebPush, GatewayRegistrationView? Gateway)
{
    public static PushRegistrationResponse From(PushRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return registration.Kind == PushKind.WebPush
            ? new PushRegistrationResponse(new WebPushRegistrationView(registration.Endpoint), null)
            : new PushRegistrationResponse(null, new GatewayRegistrationView(registration.Endpoint, registration.AppId!));
    }
}

public sealed record WebPushRegistrationView(string Endpoint);

public sealed record GatewayRegistrationView(string Url, string AppId);

/// <summary><c>GET /api/v1/push/vapid</c>: the browser's <c>applicationServerKey</c>.</summary>
public sealed record VapidKeyResponse(string PublicKey);
