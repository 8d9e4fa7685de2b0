/** The {@link org.obpf.api.obj.ObjectLoader} service component; not exported. */
package org.obpf.loader;
