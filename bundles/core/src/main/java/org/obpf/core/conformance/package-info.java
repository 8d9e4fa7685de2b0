/** The data-driven conformance runner, for every execution engine. */
package org.obpf.core.conformance;
