/** The offload query: devices, their archs, and whether a program can go to one. */
package org.obpf.core.offload;
