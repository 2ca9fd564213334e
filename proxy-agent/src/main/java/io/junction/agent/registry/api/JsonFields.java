package io.junction.agent.registry.api;

import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed reads of one JSON object's fields, as Go's decoder reads Consul's bodies: field names match
 * case-insensitively, {@code null} is the same as absent, and a value of the wrong type is refused with a message
 * naming the field ({@code Checks[0].TTL: ...}). Each object is read once, on the registry loop.
 */
final class JsonFields {
    private final Map<String, JsonNode> fields = new LinkedHashMap<>();
    private final String path;

    JsonFields(JsonNode object, String path) {
        this.path = path;
        if (!object.isObject()) {
            throw ApiException.invalid((path.isEmpty() ? "body" : path) + ": expected a JSON object, got "
                    + kind(object));
        }
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (!e.getValue().isNull()) {
                fields.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
            }
        }
    }

    String name(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    JsonNode node(String field) {
        return fields.get(field.toLowerCase(Locale.ROOT));
    }

    boolean has(String field) {
        return fields.containsKey(field.toLowerCase(Locale.ROOT));
    }

    String string(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return null;
        }
        if (!n.isString()) {
            throw ApiException.invalid(name(field) + ": expected a string, got " + kind(n));
        }
        return n.stringValue();
    }

    Long integer(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw ApiException.invalid(name(field) + ": expected an integer, got " + kind(n) + " " + n);
        }
        return n.longValue();
    }

    Boolean bool(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return null;
        }
        if (!n.isBoolean()) {
            throw ApiException.invalid(name(field) + ": expected true or false, got " + kind(n));
        }
        return n.booleanValue();
    }

    /** A duration: a Go duration string ({@code "10s"}) or, as Go's decoder also takes, an integer of nanoseconds. */
    Duration duration(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return null;
        }
        Duration d;
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            d = Duration.ofNanos(n.longValue());
        } else if (n.isString()) {
            try {
                d = GoDuration.parse(n.stringValue());
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(name(field) + ": " + e.getMessage());
            }
        } else {
            throw ApiException.invalid(name(field) + ": expected a duration such as \"10s\", got " + kind(n));
        }
        if (d.isNegative()) {
            throw ApiException.invalid(name(field) + ": must not be negative, got " + n);
        }
        return d;
    }

    List<String> strings(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return List.of();
        }
        if (!n.isArray()) {
            throw ApiException.invalid(name(field) + ": expected a list of strings, got " + kind(n));
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        for (JsonNode item : n) {
            if (!item.isString()) {
                throw ApiException.invalid(name(field) + "[" + i + "]: expected a string, got " + kind(item));
            }
            out.add(item.stringValue());
            i++;
        }
        return out;
    }

    Map<String, String> stringMap(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return Map.of();
        }
        if (!n.isObject()) {
            throw ApiException.invalid(name(field) + ": expected an object of strings, got " + kind(n));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!e.getValue().isString()) {
                throw ApiException.invalid(name(field) + "." + e.getKey() + ": expected a string, got "
                        + kind(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().stringValue());
        }
        return out;
    }

    static String kind(JsonNode n) {
        if (n.isString()) {
            return "a string";
        }
        if (n.isNumber()) {
            return "a number";
        }
        if (n.isBoolean()) {
            return "a boolean";
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isObject()) {
            return "an object";
        }
        return "null";
    }
}
