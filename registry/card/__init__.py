"""Model cards ("Model Cards for Model Reporting", Mitchell et al., FAT* 2019) of versions."""
