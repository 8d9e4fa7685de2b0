/** The NFP device as a DS component: nfp0, its DRAM size configurable by its PID. */
package org.obpf.offload.nfp.ds;
