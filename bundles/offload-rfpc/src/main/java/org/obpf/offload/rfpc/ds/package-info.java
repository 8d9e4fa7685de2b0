/** The RFPC devices as DS components: rfpc0 (small) and rfpc1 (large), sizes configurable by their PIDs. */
package org.obpf.offload.rfpc.ds;
