/** Cheap time sources for the data path. */
package io.junction.core.clock;
