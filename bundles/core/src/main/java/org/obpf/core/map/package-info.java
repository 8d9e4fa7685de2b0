/**
 * Maps with the kernel's semantics and error numbers, values in native memory whose addresses stay
 * valid for the map's lifetime, and the fd table that names them.
 */
package org.obpf.core.map;
