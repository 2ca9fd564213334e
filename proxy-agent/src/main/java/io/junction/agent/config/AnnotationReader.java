package io.junction.agent.config;

import io.junction.core.model.HealthSettings;
import io.junction.core.model.LbPolicy;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the values of the per-Service annotations a discovery source (Kubernetes) accepts, with the same rules and
 * messages as the config file: {@code junction.io/lb} takes a policy name as the {@code lb} key does, and
 * {@code junction.io/health} takes a YAML mapping with the health keys of a service entry ({@code healthCheck},
 * {@code outlierDetection}, {@code panicThreshold}, {@code slowStart}, {@code maxConnectionsPerEndpoint},
 * {@code retryBudget}). Stateless; safe from any thread (each call has its own problem list).
 */
public final class AnnotationReader {

    private AnnotationReader() {
    }

    /** The policy {@code value} names; throws {@link IllegalArgumentException} with the reason otherwise. */
    public static LbPolicy lb(String value) {
        return LbPolicy.parse(value);
    }

    /**
     * The health keys of the YAML mapping {@code value} over {@code base}; throws {@link IllegalArgumentException}
     * whose message lists every problem (key path and reason) otherwise.
     */
    public static HealthSettings health(String value, HealthSettings base) {
        Problems problems = new Problems("annotation");
        YamlNode node;
        try {
            node = YamlTreeReader.read(value, problems);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(messages(e), e);
        }
        FieldReader fields = new FieldReader(problems);
        HealthSettings result = base;
        if (fields.expectMap(node, "")) {
            fields.rejectUnknownKeys(node, "", new ArrayList<>(HealthSettingsBinder.KEYS));
            result = new HealthSettingsBinder(fields).health(node, "", base);
        }
        try {
            problems.throwIfAny();
        } catch (ConfigException e) {
            throw new IllegalArgumentException(messages(e), e);
        }
        return result;
    }

    private static String messages(ConfigException e) {
        List<String> parts = new ArrayList<>();
        for (ConfigError error : e.errors()) {
            parts.add((error.path().isEmpty() ? "" : error.path() + ": ") + error.message());
        }
        return String.join("; ", parts);
    }
}
