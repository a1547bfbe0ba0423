/**
 * Why two containers do not talk: a snapshot of every host's part of a network ({@link
 * io.overlaynet.doctor.HostView}), a probe, and a pure walk along the path ({@link
 * io.overlaynet.doctor.Diagnosis}) that names the first broken hop with a fixed cause code.
 */
package io.overlaynet.doctor;
