package creds

// ProfileInfo is one profile as --list shows it.
type ProfileInfo struct {
	Name          string
	RoleARN       string
	SourceProfile string
	MFASerial     string
}

// ListProfiles returns the profiles of the config and credentials files,
// config file order first.
func ListProfiles(o LoadOptions) ([]ProfileInfo, error) {
	raw, err := loadRaw(o.files())
	if err != nil {
		return nil, err
	}
	// Every profile is read: one parse of each file beats one per profile.
	for _, f := range []*rawFile{raw.config, raw.credentials} {
		if err := f.parseWhole(); err != nil {
			return nil, err
		}
	}
	var out []ProfileInfo
	for _, name := range raw.profileNames() {
		secs := raw.sections(name)
		out = append(out, ProfileInfo{
			Name:          name,
			RoleARN:       valueIn(secs, "role_arn"),
			SourceProfile: valueIn(secs, "source_profile"),
			MFASerial:     valueIn(secs, "mfa_serial"),
		})
	}
	return out, nil
}
