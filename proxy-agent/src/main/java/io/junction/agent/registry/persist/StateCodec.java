package io.junction.agent.registry.persist;

import io.junction.agent.registry.api.GoDuration;
import io.junction.agent.registry.store.Check;
import io.junction.agent.registry.store.CheckSpec;
import io.junction.agent.registry.store.Instance;
import io.junction.core.model.HostPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state file's format: {@code {"Version":1,"Index":n,"Services":[...]}} where each service is written as the
 * Consul registration body that would recreate it, its checks carrying their current {@code Status} and
 * {@code Output}. Loading therefore runs every entry through the same validation as the API. Stateless.
 */
public final class StateCodec {
    public static final int VERSION = 1;

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** What a state file held: the index and one registration body per service. */
    public record Loaded(long index, List<byte[]> services) {
        public static final Loaded EMPTY = new Loaded(1, List.of());
    }

    private StateCodec() {
    }

    public static byte[] encode(long index, Collection<Instance> instances, Map<String, List<Check>> checks) {
        List<Object> services = new ArrayList<>();
        for (Instance i : instances) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("ID", i.id());
            s.put("Name", i.name());
            s.put("Address", i.addressText());
            s.put("Port", i.port());
            s.put("Tags", i.tags());
            s.put("Meta", i.meta());
            List<Object> list = new ArrayList<>();
            for (Check c : checks.getOrDefault(i.id(), List.of())) {
                list.add(check(c));
            }
            s.put("Checks", list);
            services.add(s);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("Version", VERSION);
        root.put("Index", index);
        root.put("Services", services);
        return JSON.writeValueAsBytes(root);
    }

    private static Map<String, Object> check(Check c) {
        CheckSpec s = c.spec();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("CheckID", s.id());
        m.put("Name", s.name());
        m.put("Notes", s.notes());
        switch (s.type()) {
            case TTL -> m.put("TTL", GoDuration.format(s.ttl()));
            case TCP -> m.put("TCP", HostPort.format(s.target()));
            case HTTP -> m.put("HTTP", s.http());
        }
        if (s.interval() != null) {
            m.put("Interval", GoDuration.format(s.interval()));
            m.put("Timeout", GoDuration.format(s.timeout()));
        }
        if (s.deregisterAfter() != null) {
            m.put("DeregisterCriticalServiceAfter", GoDuration.format(s.deregisterAfter()));
        }
        m.put("Status", c.status().json());
        m.put("Output", c.output());
        return m;
    }

    /**
     * Decodes a state file's content; throws {@link IllegalArgumentException} saying what is wrong when it is not a
     * state file (the caller moves it aside).
     */
    public static Loaded decode(byte[] content) {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (tools.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode version = root.get("Version");
        if (version == null || !version.isIntegralNumber() || version.intValue() != VERSION) {
            throw new IllegalArgumentException("Version: expected " + VERSION + ", got " + version);
        }
        JsonNode index = root.get("Index");
        if (index == null || !index.isIntegralNumber() || index.longValue() < 1) {
            throw new IllegalArgumentException("Index: expected a positive integer, got " + index);
        }
        JsonNode services = root.get("Services");
        if (services == null || !services.isArray()) {
            throw new IllegalArgumentException("Services: expected a list");
        }
        List<byte[]> out = new ArrayList<>();
        for (JsonNode s : services) {
            if (!s.isObject()) {
                throw new IllegalArgumentException("Services: expected objects, got " + s.getNodeType());
            }
            out.add(JSON.writeValueAsBytes(s));
        }
        return new Loaded(index.longValue(), out);
    }
}
