/** Built-in helpers with Linux numbers and semantics, and the helper table engines bind against. */
package org.obpf.core.helper;
