package io.junction.agent.config;

import io.junction.core.model.HealthCheck;
import io.junction.core.model.HealthSettings;
import io.junction.core.model.OutlierDetection;
import io.junction.core.model.RetryBudget;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.junction.agent.config.FieldReader.MAX_DURATION;
import static io.junction.agent.config.FieldReader.child;
import static io.junction.agent.config.FieldReader.optional;

/**
 * Reads the health keys of a service (or of the {@code defaults} section) over a base: the config's {@code defaults},
 * themselves over {@link HealthSettings#DEFAULTS}. The nested mappings are read field by field too, so a service's
 * {@code healthCheck: {type: http}} keeps the interval its defaults set. On any error it records it and returns the
 * base (the service is then dropped by its caller). Confined to the thread doing the load.
 */
final class HealthSettingsBinder {
    static final Set<String> KEYS = Set.of("healthCheck", "outlierDetection", "panicThreshold", "slowStart",
            "maxConnectionsPerEndpoint", "retryBudget");
    static final List<String> CHECK_KEYS = List.of("type", "path", "expectStatus", "host", "port", "interval",
            "timeout", "healthyThreshold", "unhealthyThreshold", "jitter");
    static final List<String> OUTLIER_KEYS = List.of("consecutiveFailures", "consecutiveUnreachable", "ejectionTime",
            "halfOpenConnections");
    static final List<String> RETRY_BUDGET_KEYS = List.of("percent", "minConcurrent");
    /** The keys that mean something only to an HTTP check. */
    static final List<String> HTTP_ONLY_KEYS = List.of("path", "expectStatus", "host");

    private static final Pattern STATUS_RANGE = Pattern.compile("(\\d{1,3})\\s*-\\s*(\\d{1,3})");
    private static final String STATUS_EXPECTED = "expected a status such as 200 or a range such as 200-399";
    /** Visible ASCII, no spaces: it goes into the request line as it is. */
    private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7E]*");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._\\-:\\[\\]]{1,255}");
    private static final int MIN_STATUS = 100;
    private static final int MAX_STATUS = 599;

    private final FieldReader fields;
    private final Problems problems;

    HealthSettingsBinder(FieldReader fields) {
        this.fields = fields;
        this.problems = fields.problems();
    }

    /** The health keys of {@code s} over {@code d}; {@code d} itself on any error. */
    HealthSettings health(YamlNode s, String path, HealthSettings d) {
        int before = problems.count();
        HealthCheck check = optional(s, "healthCheck", d.check(), (n, p) -> check(n, p, d.check()), path);
        OutlierDetection outlier = optional(s, "outlierDetection", d.outlier(),
                (n, p) -> outlier(n, p, d.outlier()), path);
        Integer panic = optional(s, "panicThreshold", d.panicThreshold(), (n, p) -> fields.percent(n, p, 0, 100), path);
        Duration slowStart = optional(s, "slowStart", d.slowStart(),
                (n, p) -> fields.duration(n, p, true, HealthSettings.MAX_SLOW_START), path);
        Integer maxPerEndpoint = optional(s, "maxConnectionsPerEndpoint", d.maxConnectionsPerEndpoint(),
                (n, p) -> fields.integer(n, p, 0, 10_000_000), path);
        RetryBudget budget = optional(s, "retryBudget", d.retryBudget(), (n, p) -> retryBudget(n, p, d.retryBudget()),
                path);
        if (problems.count() != before) {
            return d;
        }
        try {
            return new HealthSettings(check, outlier, panic, slowStart, maxPerEndpoint, budget);
        } catch (IllegalArgumentException e) {
            // The reads above mirror the model's checks; this only catches a rule the model gained later.
            problems.add(s, path, e.getMessage());
            return d;
        }
    }

    /**
     * A UDP service's check probes TCP (or HTTP over TCP), so it needs a port of its own: the endpoint's port is a UDP
     * one. Records the problem against {@code service} when its resolved check lacks one.
     */
    void checkUdpProbePort(YamlNode service, String path, HealthCheck check) {
        if (!check.enabled() || check.port() != 0) {
            return;
        }
        YamlNode own = service.field("healthCheck");
        boolean typeHere = own != null && own.field("type") != null;
        problems.add(own != null ? own : service, child(child(path, "healthCheck"), "port"),
                "missing (a udp service's check needs a TCP port to probe"
                        + (typeHere ? ")" : "; its type " + check.type().configName()
                                + " comes from defaults.healthCheck: set port, or type: none)"));
    }

    private HealthCheck check(YamlNode n, String path, HealthCheck d) {
        if (!fields.expectMap(n, path)) {
            return null;
        }
        int before = problems.count();
        fields.rejectUnknownKeys(n, path, CHECK_KEYS);
        HealthCheck.Type type = optional(n, "type", d.type(), this::type, path);
        String probePath = optional(n, "path", d.path(), this::probePath, path);
        int[] status = optional(n, "expectStatus", new int[] {d.expectStatusMin(), d.expectStatusMax()},
                this::expectStatus, path);
        String host = optional(n, "host", d.host(), this::host, path);
        Integer port = optional(n, "port", d.port(), (v, p) -> fields.integer(v, p, 0, 65_535), path);
        Duration interval = optional(n, "interval", d.interval(),
                (v, p) -> fields.duration(v, p, false, MAX_DURATION), path);
        Duration timeout = optional(n, "timeout", d.timeout(),
                (v, p) -> fields.duration(v, p, false, MAX_DURATION), path);
        Integer healthy = optional(n, "healthyThreshold", d.healthyThreshold(),
                (v, p) -> fields.integer(v, p, 1, 100), path);
        Integer unhealthy = optional(n, "unhealthyThreshold", d.unhealthyThreshold(),
                (v, p) -> fields.integer(v, p, 1, 100), path);
        Integer jitter = optional(n, "jitter", d.jitterPercent(), (v, p) -> fields.percent(v, p, 0, 50), path);
        if (type != null && type != HealthCheck.Type.HTTP) {
            for (String key : HTTP_ONLY_KEYS) {
                if (n.field(key) != null) {
                    problems.add(n.field(key), child(path, key),
                            "applies only to http checks (this check's type is " + type.configName() + ")");
                }
            }
        }
        if (interval != null && timeout != null && timeout.compareTo(interval) > 0) {
            // Point at whichever of the two this mapping sets; the other one comes from the layer below.
            String reason = ": a probe must give up before the next one is due";
            if (n.field("timeout") != null) {
                problems.add(n.field("timeout"), child(path, "timeout"), DurationFormat.format(timeout)
                        + " must be <= interval (" + DurationFormat.format(interval) + ")" + reason);
            } else {
                problems.add(n.field("interval"), child(path, "interval"), DurationFormat.format(interval)
                        + " must be >= timeout (" + DurationFormat.format(timeout) + ")" + reason);
            }
        }
        if (problems.count() != before) {
            return null;
        }
        try {
            return new HealthCheck(type, probePath, status[0], status[1], host, port, interval, timeout, healthy,
                    unhealthy, jitter);
        } catch (IllegalArgumentException e) {
            problems.add(n, path, e.getMessage());
            return null;
        }
    }

    private HealthCheck.Type type(YamlNode n, String p) {
        String text = fields.string(n, p);
        if (text == null) {
            return null;
        }
        for (HealthCheck.Type t : HealthCheck.Type.values()) {
            if (t.configName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        problems.add(n, p, n.describe() + " is not a valid check type (expected one of: tcp, http, none)");
        return null;
    }

    private String probePath(YamlNode n, String p) {
        String text = fields.string(n, p);
        if (text != null && !PATH.matcher(text).matches()) {
            problems.add(n, p, n.describe() + " is not a valid path (expected '/' then visible ASCII characters, "
                    + "no spaces, e.g. /healthz)");
            return null;
        }
        return text;
    }

    private String host(YamlNode n, String p) {
        String text = fields.string(n, p);
        if (text != null && !HOST.matcher(text).matches()) {
            problems.add(n, p, n.describe() + " is not a valid host (expected a host name or address, optionally "
                    + "with :port)");
            return null;
        }
        return text;
    }

    /** {@code 200} or {@code 200-399}, as {@code {lo, hi}}. */
    private int[] expectStatus(YamlNode n, String p) {
        int lo;
        int hi;
        if (n.kind() == YamlNode.Kind.INT) {
            lo = n.text().length() > 4 ? Integer.MAX_VALUE : Integer.parseInt(n.text());
            hi = lo;
        } else {
            Matcher m = n.kind() == YamlNode.Kind.STRING ? STATUS_RANGE.matcher(n.text().trim()) : null;
            if (m == null || !m.matches()) {
                String got = n.kind() == YamlNode.Kind.NULL ? "nothing" : n.describe();
                problems.add(n, p, got + " is not a valid status or range (" + STATUS_EXPECTED + ")");
                return null;
            }
            lo = Integer.parseInt(m.group(1));
            hi = Integer.parseInt(m.group(2));
        }
        if (lo < MIN_STATUS || lo > MAX_STATUS || hi < MIN_STATUS || hi > MAX_STATUS) {
            problems.add(n, p, n.describe() + " is out of range (expected: " + MIN_STATUS + ".." + MAX_STATUS + ")");
            return null;
        }
        if (lo > hi) {
            problems.add(n, p, n.describe() + " is an empty range (expected lo-hi with lo <= hi)");
            return null;
        }
        return new int[] {lo, hi};
    }

    /** A mapping read over {@code d}, or {@code off} (YAML 1.1: {@code false}) for both thresholds 0. */
    private OutlierDetection outlier(YamlNode n, String path, OutlierDetection d) {
        boolean off = (n.kind() == YamlNode.Kind.STRING && n.text().trim().equalsIgnoreCase("off"))
                || (n.kind() == YamlNode.Kind.BOOL && n.text().equals("false"));
        if (off) {
            return d.withConsecutiveFailures(0).withConsecutiveUnreachable(0);
        }
        if (n.kind() != YamlNode.Kind.MAP) {
            String got = n.kind() == YamlNode.Kind.NULL ? "nothing" : n.describe();
            problems.add(n, path, "expected a mapping (key: value lines) or off, got " + got);
            return null;
        }
        int before = problems.count();
        fields.rejectUnknownKeys(n, path, OUTLIER_KEYS);
        Integer failures = optional(n, "consecutiveFailures", d.consecutiveFailures(),
                (v, p) -> fields.integer(v, p, 0, 1000), path);
        Integer unreachable = optional(n, "consecutiveUnreachable", d.consecutiveUnreachable(),
                (v, p) -> fields.integer(v, p, 0, 1000), path);
        Duration ejection = optional(n, "ejectionTime", d.ejectionTime(),
                (v, p) -> fields.duration(v, p, false, MAX_DURATION), path);
        Integer halfOpen = optional(n, "halfOpenConnections", d.halfOpenConnections(),
                (v, p) -> fields.integer(v, p, 1, 1000), path);
        if (problems.count() != before) {
            return null;
        }
        try {
            return new OutlierDetection(failures, unreachable, ejection, halfOpen);
        } catch (IllegalArgumentException e) {
            problems.add(n, path, e.getMessage());
            return null;
        }
    }

    private RetryBudget retryBudget(YamlNode n, String path, RetryBudget d) {
        if (!fields.expectMap(n, path)) {
            return null;
        }
        int before = problems.count();
        fields.rejectUnknownKeys(n, path, RETRY_BUDGET_KEYS);
        Integer percent = optional(n, "percent", d.percent(), (v, p) -> fields.percent(v, p, 0, 100), path);
        Integer min = optional(n, "minConcurrent", d.minConcurrent(), (v, p) -> fields.integer(v, p, 0, 1_000_000),
                path);
        if (problems.count() != before) {
            return null;
        }
        try {
            return new RetryBudget(percent, min);
        } catch (IllegalArgumentException e) {
            problems.add(n, path, e.getMessage());
            return null;
        }
    }
}
