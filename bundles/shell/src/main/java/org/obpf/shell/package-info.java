/** Gogo commands in scope {@code bpf}; private to the bundle, reached as a command service. */
package org.obpf.shell;
