/** Command-line entries that run without an OSGi framework. */
package org.obpf.core.tools;
