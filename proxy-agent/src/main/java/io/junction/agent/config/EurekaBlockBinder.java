package io.junction.agent.config;

import io.junction.agent.discovery.eureka.EurekaMetrics;
import io.junction.agent.discovery.eureka.EurekaSettings;
import io.junction.agent.discovery.eureka.EurekaSource;
import io.junction.core.discovery.DiscoverySource;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code discovery.eureka} block: {@code serviceUrl} (required: one Eureka URL or a list of them, tried in
 * order), {@code refreshInterval} (default 30s), {@code applications} (names to serve; default all), {@code rename}
 * (application name to service name) and {@code useSecurePort} (default false). Confined to the thread doing the load.
 */
final class EurekaBlockBinder implements DiscoveryBinder.BlockBinder {
    static final List<String> KEYS = List.of("serviceUrl", "refreshInterval", "applications", "rename",
            "useSecurePort");
    private static final Duration MAX_REFRESH = Duration.ofHours(1);
    /** Eureka application names: no spaces or slashes (they are path segments of its API). */
    private static final Pattern APP_NAME = Pattern.compile("[^\\s/?#%]{1,255}");

    @Override
    public DiscoveryBlock bind(YamlNode block, String path, FieldReader fields) {
        Problems problems = fields.problems();
        int before = problems.count();
        if (!fields.expectMap(block, path)) {
            return null;
        }
        fields.rejectUnknownKeys(block, path, KEYS);
        YamlNode urlsNode = block.field("serviceUrl");
        List<URI> urls = List.of();
        if (urlsNode == null) {
            problems.add(block, FieldReader.child(path, "serviceUrl"),
                    "required (a Eureka URL such as http://127.0.0.1:8761/eureka/, or a list of them)");
        } else {
            urls = urls(urlsNode, FieldReader.child(path, "serviceUrl"), fields);
        }
        Duration refresh = FieldReader.optional(block, "refreshInterval", EurekaSettings.DEFAULT_REFRESH,
                (n, p) -> fields.duration(n, p, false, MAX_REFRESH), path);
        Set<String> apps = FieldReader.optional(block, "applications", Set.of(),
                (n, p) -> applications(n, p, fields), path);
        Map<String, String> rename = FieldReader.optional(block, "rename", Map.of(),
                (n, p) -> rename(n, p, fields), path);
        Boolean secure = FieldReader.optional(block, "useSecurePort", Boolean.FALSE, fields::bool, path);
        if (problems.count() != before || urls.isEmpty() || refresh == null || apps == null || rename == null
                || secure == null) {
            return null;
        }
        return new EurekaBlock(new EurekaSettings(urls, refresh, apps, rename, secure));
    }

    private static List<URI> urls(YamlNode node, String path, FieldReader fields) {
        List<YamlNode> items = node.kind() == YamlNode.Kind.LIST ? node.items() : List.of(node);
        if (items.isEmpty()) {
            fields.problems().add(node, path, "empty list (expected at least one Eureka URL)");
            return List.of();
        }
        List<URI> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String p = node.kind() == YamlNode.Kind.LIST ? FieldReader.index(path, i) : path;
            URI uri = url(items.get(i), p, fields);
            if (uri != null) {
                if (out.contains(uri)) {
                    fields.problems().add(items.get(i), p, "duplicate URL " + uri);
                } else {
                    out.add(uri);
                }
            }
        }
        return out;
    }

    private static URI url(YamlNode node, String path, FieldReader fields) {
        String s = fields.string(node, path);
        if (s == null) {
            return null;
        }
        String expected = " (expected an http or https URL such as http://127.0.0.1:8761/eureka/)";
        try {
            URI uri = new URI(s.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null
                    || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                fields.problems().add(node, path, node.describe() + " is not a usable Eureka URL" + expected);
                return null;
            }
            // Eureka's service URLs end in '/': apps/ and apps/delta are resolved against them.
            String text = uri.toString();
            return text.endsWith("/") ? uri : new URI(text + "/");
        } catch (URISyntaxException e) {
            fields.problems().add(node, path, node.describe() + " is not a URL: " + e.getReason() + expected);
            return null;
        }
    }

    private static Set<String> applications(YamlNode node, String path, FieldReader fields) {
        if (!fields.expectList(node, path)) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        boolean ok = true;
        for (int i = 0; i < node.items().size(); i++) {
            YamlNode item = node.items().get(i);
            String p = FieldReader.index(path, i);
            String app = appName(item, p, fields);
            if (app == null) {
                ok = false;
            } else if (!out.add(app)) {
                fields.problems().add(item, p, "duplicate application " + app + " (names are not case-sensitive)");
                ok = false;
            }
        }
        return ok ? out : null;
    }

    private static Map<String, String> rename(YamlNode node, String path, FieldReader fields) {
        if (!fields.expectMap(node, path)) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> byTarget = new HashMap<>();
        boolean ok = true;
        for (var e : node.fields().entrySet()) {
            String p = FieldReader.child(path, e.getKey());
            String app = e.getKey().trim().toUpperCase(Locale.ROOT);
            if (!APP_NAME.matcher(app).matches()) {
                fields.problems().add(e.getValue(), p, "'" + e.getKey() + "' is not an application name");
                ok = false;
                continue;
            }
            String target = fields.string(e.getValue(), p);
            if (target == null) {
                ok = false;
            } else if (!ServiceNames.valid(target)) {
                fields.problems().add(e.getValue(), p, e.getValue().describe() + " is not a valid service name ("
                        + ServiceNames.RULE + ")");
                ok = false;
            } else if (out.containsKey(app)) {
                fields.problems().add(e.getValue(), p, "application " + app + " renamed twice (names are not "
                        + "case-sensitive)");
                ok = false;
            } else if (byTarget.containsKey(target)) {
                fields.problems().add(e.getValue(), p, "applications " + byTarget.get(target) + " and " + app
                        + " both renamed to " + target);
                ok = false;
            } else {
                out.put(app, target);
                byTarget.put(target, app);
            }
        }
        return ok ? out : null;
    }

    private static String appName(YamlNode node, String path, FieldReader fields) {
        String s = fields.string(node, path);
        if (s == null) {
            return null;
        }
        String app = s.trim().toUpperCase(Locale.ROOT);
        if (!APP_NAME.matcher(app).matches()) {
            fields.problems().add(node, path, node.describe() + " is not an application name (no spaces, '/', '?',"
                    + " '#' or '%')");
            return null;
        }
        return app;
    }

    /**
     * The block's settings and how to make its source.
     *
     * @param settings the validated settings
     */
    record EurekaBlock(EurekaSettings settings) implements DiscoveryBlock {
        @Override
        public String name() {
            return EurekaSource.NAME;
        }

        @Override
        public DiscoverySource create(SourceContext context) {
            return new EurekaSource(settings, new EurekaMetrics(context.metrics(), context.clock()));
        }
    }
}
