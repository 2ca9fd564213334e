package io.junction.agent.registry.api;

import io.junction.agent.registry.store.CheckSpec;
import io.junction.agent.registry.store.CheckStatus;
import io.junction.agent.registry.store.CheckType;
import io.junction.agent.registry.store.Registration;
import io.netty.util.NetUtil;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a {@code PUT /v1/agent/service/register} body into a {@link Registration}, field by field, refusing the
 * first problem with a message naming the field and the reason ({@code Port: must be 1..65535, got 70000}). Fields
 * Consul defines that do not change routing ({@code EnableTagOverride}, {@code Weights}, {@code TaggedAddresses},
 * {@code Namespace}...) and unknown fields are ignored, as Go's decoder ignores them; check kinds Junction does not
 * run (script, gRPC, Docker...) are refused rather than silently never run.
 *
 * <p>Stateless apart from its immutable policy; thread-safe.
 */
public final class RegistrationReader {
    public static final int MAX_TAGS = 64;
    public static final int MAX_TAG_LENGTH = 256;
    public static final int MAX_META = 64;
    public static final int MAX_META_KEY = 128;
    public static final int MAX_META_VALUE = 512;
    public static final int MAX_CHECKS = 32;
    public static final int MAX_ID_LENGTH = 256;
    public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MAX_DURATION = Duration.ofDays(365);

    // A key named twice is refused: two parsers may read such a body differently (Go's, so Consul's, takes the last).
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern META_KEY = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_META_KEY + "}");
    private static final List<String> UNSUPPORTED_CHECKS = List.of("Args", "ScriptArgs", "Script", "GRPC",
            "DockerContainerID", "H2PING", "UDP", "AliasService", "AliasNode", "OSService");

    private final AddressPolicy policy;

    public RegistrationReader(AddressPolicy policy) {
        this.policy = policy;
    }

    /** Parses {@code body}; {@code peer} is the client, whose address an empty {@code Address} stands for. */
    public Registration read(byte[] body, InetAddress peer) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.invalid("Request decode failed: malformed JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw ApiException.invalid("Request decode failed: empty body (expected a service definition)");
        }
        return read(new JsonFields(root, ""), peer);
    }

    Registration read(JsonFields f, InetAddress peer) {
        String name = f.string("Name");
        if (name == null || name.isEmpty()) {
            throw ApiException.invalid("Name: missing (expected the service name)");
        }
        if (!NAME.matcher(name).matches()) {
            throw ApiException.invalid("Name: '" + clip(name) + "' is not a service name (expected letters, digits, "
                    + "'.', '_' and '-', starting with a letter or digit, at most 128)");
        }
        String id = f.string("ID");
        if (id == null || id.isEmpty()) {
            id = name;
        }
        checkId("ID", id);
        String kind = f.string("Kind");
        if (kind != null && !kind.isEmpty()) {
            throw ApiException.invalid("Kind: '" + clip(kind) + "' is not supported (only typical services)");
        }
        Long port = f.integer("Port");
        if (port == null) {
            throw ApiException.invalid("Port: missing (Junction routes to Address:Port, so a port is required)");
        }
        if (port < 1 || port > 65_535) {
            throw ApiException.invalid("Port: must be 1..65535, got " + port);
        }
        InetAddress address = address(f, peer);
        List<String> tags = f.strings("Tags");
        if (tags.size() > MAX_TAGS) {
            throw ApiException.invalid("Tags: at most " + MAX_TAGS + " tags, got " + tags.size());
        }
        for (int i = 0; i < tags.size(); i++) {
            if (tags.get(i).length() > MAX_TAG_LENGTH) {
                throw ApiException.invalid("Tags[" + i + "]: longer than " + MAX_TAG_LENGTH + " characters");
            }
        }
        Map<String, String> meta = f.stringMap("Meta");
        checkMeta(meta);
        f.bool("EnableTagOverride");
        List<CheckSpec> checks = checks(f, id, name);
        return new Registration(id, name, address, port.intValue(), tags, meta, checks);
    }

    private InetAddress address(JsonFields f, InetAddress peer) {
        String text = f.string("Address");
        InetAddress address;
        if (text == null || text.isEmpty()) {
            address = peer;
        } else {
            address = ipLiteral(text);
            if (address == null) {
                throw ApiException.invalid("Address: '" + clip(text) + "' is not an IP address (host names are not "
                        + "resolved; register the instance's IP)");
            }
        }
        String refused = policy.refusal(address);
        if (refused != null) {
            throw new ApiException(400, Refusal.ADDRESS_REFUSED, "Address: " + refused
                    + (text == null || text.isEmpty() ? " (an empty Address means the client's own address)" : ""));
        }
        return address;
    }

    private List<CheckSpec> checks(JsonFields f, String serviceId, String serviceName) {
        List<JsonFields> defs = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        if (f.has("Check")) {
            defs.add(new JsonFields(f.node("Check"), "Check"));
            paths.add("Check");
        }
        JsonNode list = f.node("Checks");
        if (list != null) {
            if (!list.isArray()) {
                throw ApiException.invalid("Checks: expected a list of checks, got " + JsonFields.kind(list));
            }
            int i = 0;
            for (JsonNode c : list) {
                defs.add(new JsonFields(c, "Checks[" + i + "]"));
                paths.add("Checks[" + i + "]");
                i++;
            }
        }
        if (defs.size() > MAX_CHECKS) {
            throw ApiException.invalid("Checks: at most " + MAX_CHECKS + " checks, got " + defs.size());
        }
        List<CheckSpec> out = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < defs.size(); i++) {
            String defaultId = defs.size() == 1 ? "service:" + serviceId : "service:" + serviceId + ":" + (i + 1);
            CheckSpec spec = check(defs.get(i), paths.get(i), defaultId, serviceId, serviceName);
            if (ids.contains(spec.id())) {
                throw ApiException.invalid(paths.get(i) + ".CheckID: '" + clip(spec.id()) + "' is used twice");
            }
            ids.add(spec.id());
            out.add(spec);
        }
        return out;
    }

    private CheckSpec check(JsonFields c, String path, String defaultId, String serviceId, String serviceName) {
        for (String unsupported : UNSUPPORTED_CHECKS) {
            JsonNode n = c.node(unsupported);
            if (n != null && !(n.isString() && n.stringValue().isEmpty()) && !(n.isArray() && n.isEmpty())) {
                throw ApiException.invalid(c.name(unsupported) + ": this kind of check is not supported "
                        + "(expected TTL, TCP or HTTP)");
            }
        }
        String id = c.string("CheckID");
        if (id == null || id.isEmpty()) {
            id = c.string("ID");
        }
        if (id == null || id.isEmpty()) {
            id = defaultId;
        }
        checkId(c.name("CheckID"), id);
        String name = c.string("Name");
        if (name == null || name.isEmpty()) {
            name = "Service '" + serviceName + "' check";
        }
        String notes = c.string("Notes");
        String statusText = c.string("Status");
        CheckStatus status = CheckStatus.CRITICAL;
        if (statusText != null && !statusText.isEmpty()) {
            status = CheckStatus.parse(statusText);
            if (status == null) {
                throw ApiException.invalid(c.name("Status") + ": '" + clip(statusText)
                        + "' is not a status (expected passing, warning or critical)");
            }
        }
        String output = c.string("Output");
        Duration ttl = positive(c, "TTL");
        String tcp = c.string("TCP");
        String http = c.string("HTTP");
        int kinds = (ttl != null ? 1 : 0) + (tcp != null && !tcp.isEmpty() ? 1 : 0)
                + (http != null && !http.isEmpty() ? 1 : 0);
        if (kinds != 1) {
            throw ApiException.invalid(path + ": needs exactly one of TTL, TCP or HTTP, got " + kinds);
        }
        Duration deregister = positive(c, "DeregisterCriticalServiceAfter");
        String method = c.string("Method");
        if (method != null && !method.isEmpty() && !method.equalsIgnoreCase("GET")) {
            throw ApiException.invalid(c.name("Method") + ": only GET is supported, got '" + clip(method) + "'");
        }
        if (ttl != null) {
            return new CheckSpec(id, name, serviceId, CheckType.TTL, ttl, null, null, null, null, null, deregister,
                    notes, status, output);
        }
        Duration interval = positive(c, "Interval");
        if (interval == null) {
            throw ApiException.invalid(c.name("Interval") + ": missing (a TCP or HTTP check needs an interval)");
        }
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw ApiException.invalid(c.name("Interval") + ": must be at least 1s, got "
                    + GoDuration.format(interval));
        }
        Duration timeout = positive(c, "Timeout");
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (tcp != null && !tcp.isEmpty()) {
            InetSocketAddress target = target(c.name("TCP"), tcp);
            return new CheckSpec(id, name, serviceId, CheckType.TCP, null, interval, timeout, target, null, null,
                    deregister, notes, status, output);
        }
        URI uri;
        try {
            uri = new URI(http);
        } catch (URISyntaxException e) {
            throw ApiException.invalid(c.name("HTTP") + ": '" + clip(http) + "' is not a URL");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getRawAuthority() == null) {
            throw ApiException.invalid(c.name("HTTP") + ": '" + clip(http)
                    + "' is not an http:// URL (https checks are not supported)");
        }
        String authority = uri.getRawAuthority();
        if (uri.getRawUserInfo() != null) {
            throw ApiException.invalid(c.name("HTTP") + ": user info in the URL is not supported");
        }
        boolean hasPort = authority.matches(".*:\\d+$") && !authority.endsWith("]");
        InetSocketAddress target = target(c.name("HTTP"), hasPort ? authority : authority + ":80");
        String p = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            p = p + "?" + uri.getRawQuery();
        }
        return new CheckSpec(id, name, serviceId, CheckType.HTTP, null, interval, timeout, target, http, p,
                deregister, notes, status, output);
    }

    /** An {@code ip:port} probe target, the address policy applied. */
    private InetSocketAddress target(String field, String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw ApiException.invalid(field + ": '" + clip(text) + "' is not ip:port");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String portText = text.substring(colon + 1);
        InetAddress ip = host.equalsIgnoreCase("localhost") ? InetAddress.getLoopbackAddress() : ipLiteral(host);
        if (ip == null) {
            throw ApiException.invalid(field + ": '" + clip(host) + "' is not an IP address (host names are not "
                    + "resolved)");
        }
        int port = portText.matches("\\d{1,5}") ? Integer.parseInt(portText) : -1;
        if (port < 1 || port > 65_535) {
            throw ApiException.invalid(field + ": port must be 1..65535, got '" + clip(portText) + "'");
        }
        String refused = policy.refusal(ip);
        if (refused != null) {
            throw new ApiException(400, Refusal.ADDRESS_REFUSED, field + ": " + refused);
        }
        return new InetSocketAddress(ip, port);
    }

    private static Duration positive(JsonFields c, String field) {
        Duration d = c.duration(field);
        if (d == null || d.isZero()) {
            return null;
        }
        if (d.compareTo(MAX_DURATION) > 0) {
            throw ApiException.invalid(c.name(field) + ": must be at most 8760h, got " + GoDuration.format(d));
        }
        return d;
    }

    private static void checkId(String field, String id) {
        if (id.length() > MAX_ID_LENGTH) {
            throw ApiException.invalid(field + ": longer than " + MAX_ID_LENGTH + " characters");
        }
        for (int i = 0; i < id.length(); i++) {
            char ch = id.charAt(i);
            if (ch == '/' || ch == '?' || ch == '#' || ch == '%' || ch <= 0x20 || ch == 0x7f) {
                throw ApiException.invalid(field + ": '" + clip(id) + "' contains '" + (ch <= 0x20 ? "a space or "
                        + "control character" : String.valueOf(ch)) + "' (it is used in URL paths)");
            }
        }
    }

    private static void checkMeta(Map<String, String> meta) {
        if (meta.size() > MAX_META) {
            throw ApiException.invalid("Meta: at most " + MAX_META + " pairs, got " + meta.size());
        }
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (!META_KEY.matcher(e.getKey()).matches()) {
                throw ApiException.invalid("Meta: key '" + clip(e.getKey()) + "' must be 1.." + MAX_META_KEY
                        + " letters, digits, '_' or '-'");
            }
            if (e.getKey().startsWith("consul-")) {
                throw ApiException.invalid("Meta." + e.getKey() + ": the 'consul-' prefix is reserved");
            }
            if (e.getValue().length() > MAX_META_VALUE) {
                throw ApiException.invalid("Meta." + e.getKey() + ": longer than " + MAX_META_VALUE + " characters");
            }
        }
    }

    /** An IPv4 or IPv6 literal, or null; never a DNS query. */
    static InetAddress ipLiteral(String text) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
