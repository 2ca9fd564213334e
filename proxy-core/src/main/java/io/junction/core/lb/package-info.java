/**
 * Load balancing: {@link io.junction.core.lb.Backend} (the live side of an endpoint), the
 * {@link io.junction.core.lb.Picker} contract and the policies that implement it.
 */
package io.junction.core.lb;
