/** The program and map registry ({@link org.obpf.api.registry.BpfSystem}): programs by id on their engines, maps, pins, and engines that come and go. */
package org.obpf.core.registry;
