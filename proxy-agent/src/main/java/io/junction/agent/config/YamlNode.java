package io.junction.agent.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed YAML value with the line it came from, so that every validation error can name its line. Jackson's own
 * tree drops locations, hence this small one. Built once by {@link YamlTreeReader}, then only read. Immutable after
 * construction.
 */
final class YamlNode {

    /** What a node holds. Scalars keep the text Jackson reported for them. */
    enum Kind {
        MAP("a mapping"),
        LIST("a list"),
        STRING("a string"),
        INT("an integer"),
        FLOAT("a decimal number"),
        BOOL("a boolean"),
        NULL("an empty value");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        String description() {
            return description;
        }
    }

    private final Kind kind;
    private final int line;
    private final String text;
    private final Map<String, YamlNode> fields;
    private final List<YamlNode> items;

    private YamlNode(Kind kind, int line, String text, Map<String, YamlNode> fields, List<YamlNode> items) {
        this.kind = kind;
        this.line = line;
        this.text = text;
        this.fields = fields;
        this.items = items;
    }

    static YamlNode scalar(Kind kind, int line, String text) {
        return new YamlNode(kind, line, text, Map.of(), List.of());
    }

    static YamlNode map(int line, LinkedHashMap<String, YamlNode> fields) {
        return new YamlNode(Kind.MAP, line, "", Collections.unmodifiableMap(fields), List.of());
    }

    static YamlNode list(int line, List<YamlNode> items) {
        return new YamlNode(Kind.LIST, line, "", Map.of(), Collections.unmodifiableList(items));
    }

    Kind kind() {
        return kind;
    }

    /** 1-based line of the key this value belongs to (or of the value itself for list items and the root). */
    int line() {
        return line;
    }

    /** The scalar's text; empty for maps and lists. */
    String text() {
        return text;
    }

    /** Fields of a mapping, in file order. */
    Map<String, YamlNode> fields() {
        return fields;
    }

    YamlNode field(String name) {
        return fields.get(name);
    }

    List<YamlNode> items() {
        return items;
    }

    boolean isScalar() {
        return kind != Kind.MAP && kind != Kind.LIST;
    }

    /** How the value reads in an error message: quoted strings, bare numbers and booleans, a kind for the rest. */
    String describe() {
        return switch (kind) {
            case STRING -> '"' + abbreviate(text) + '"';
            case INT, FLOAT, BOOL -> abbreviate(text);
            default -> kind.description();
        };
    }

    private static String abbreviate(String s) {
        // Values end up in logs; keep a hostile 1 MiB scalar from flooding them.
        String oneLine = s.replace("\n", "\\n").replace("\r", "\\r");
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }
}
