package io.junction.core.state;

import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.ServiceKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every discovery source delivers: records each update in the {@link ChangeTracker}, keeps each source's status
 * for the admin API, and asks for a sync. Sources call it from their own threads; nothing here waits for the control
 * thread.
 *
 * <p>A rejected input is logged by the source that rejected it, which knows the details (file, line, object); the
 * inbox only records it in the source's status, so every rejection appears once in the log.
 *
 * <p>Thread-safe.
 */
final class SourceInbox implements DiscoveryListener {
    private static final Logger log = LoggerFactory.getLogger(SourceInbox.class);

    private final ChangeTracker tracker;
    private final Runnable requestSync;
    private final Clock clock;
    /** In registration order (precedence), for stable output. */
    private final Map<String, SourceStatus> status = Collections.synchronizedMap(new LinkedHashMap<>());

    SourceInbox(ChangeTracker tracker, Runnable requestSync, Clock clock) {
        this.tracker = tracker;
        this.requestSync = requestSync;
        this.clock = clock;
    }

    /** Adds a source at the lowest precedence so far. */
    void register(String source) {
        tracker.register(source);
        status.put(source, new SourceStatus(source, false, 0, 0, null, null, null));
    }

    @Override
    public void onReplace(String source, Map<ServiceKey, ServiceDefinition> services) {
        int changed = tracker.recordReplace(source, services);
        status.computeIfPresent(source, (k, s) -> s.onUpdate(clock.instant()));
        log.debug("source={} update=replace services={} changed={}", source, services.size(), changed);
        requestSync.run();
    }

    @Override
    public void onChange(String source, ServiceKey key, ServiceDefinition definition) {
        boolean changed = tracker.recordChange(source, key, definition);
        status.computeIfPresent(source, (k, s) -> s.onUpdate(clock.instant()));
        if (changed) {
            requestSync.run();
        }
    }

    @Override
    public void onError(String source, String message, Throwable cause) {
        status.computeIfPresent(source, (k, s) -> s.onError(message, clock.instant()));
        log.debug("source={} error recorded, state kept", source);
    }

    /** Every source's status, in precedence order. */
    Map<String, SourceStatus> statuses() {
        synchronized (status) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(status));
        }
    }

    /** The sources that have not delivered their first state yet, in precedence order. */
    List<String> unsynced() {
        List<String> out = new ArrayList<>();
        for (SourceStatus s : statuses().values()) {
            if (!s.synced()) {
                out.add(s.name());
            }
        }
        return out;
    }

    boolean allSynced() {
        return tracker.allSynced();
    }
}
