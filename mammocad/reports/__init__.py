"""DICOM objects that carry mammocad's answers into PACS and CAD viewers.

Findings (:mod:`.findings`) are turned into a Comprehensive 3D SR with the TID 1500 Measurement
Report (:mod:`.measurement_report`), a Mammography CAD SR with TID 4000
(:mod:`.mammography_cad`), and heatmaps into a Parametric Map (:mod:`.parametric_map`). Every
object belongs to the source image's patient and study (its attributes are copied from the
source, never invented), is marked unverified and names the model versions that produced it.
Only pydicom and highdicom are used: the gateway imports this and never loads torch.
"""
