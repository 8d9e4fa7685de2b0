/** The RFPC devices as DS components: rfpc0 (small), rfpc1 (large), and any configured ones. */
package org.obpf.offload.rfpc.ds;
