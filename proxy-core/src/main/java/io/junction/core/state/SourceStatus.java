package io.junction.core.state;

import java.time.Instant;

/**
 * What the control thread knows about one discovery source, for the admin API. Immutable.
 *
 * @param name        the source name
 * @param synced      the source delivered its first full state
 * @param updates     updates received
 * @param errors      errors reported
 * @param lastUpdate  time of the last update, or null
 * @param lastError   the last error message, or null (cleared by the next good update)
 * @param lastErrorAt time of the last error, or null
 */
public record SourceStatus(String name, boolean synced, long updates, long errors, Instant lastUpdate,
                           String lastError, Instant lastErrorAt) {

    SourceStatus onUpdate(Instant now) {
        return new SourceStatus(name, true, updates + 1, errors, now, null, lastErrorAt);
    }

    SourceStatus onError(String message, Instant now) {
        return new SourceStatus(name, synced, updates, errors + 1, lastUpdate, message, now);
    }
}
