/** {@code BPF_PROG_TEST_RUN} and the execution-engine interface it runs prelinked programs through. */
package org.obpf.core.run;
