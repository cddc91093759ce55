// What a set-up pod volume looks like to the code that mounts it into containers.

export type VolumeKind = 'emptyDir' | 'hostPath' | 'secret' | 'configMap';

export interface PreparedVolume {
  name: string;
  /** Where the volume's content is on the host: the directory under the pod dir, or the hostPath itself. */
  hostPath: string;
  /** The plugin's own read-only attribute (secret, configMap), which a volumeMount cannot make writable. */
  readOnlyByDefault: boolean;
  kind: VolumeKind;
}
