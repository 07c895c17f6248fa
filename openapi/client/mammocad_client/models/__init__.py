"""Contains all the data models used in inputs/outputs"""

from .alias_move_public import AliasMovePublic
from .alias_move_request import AliasMoveRequest
from .analyse_v1_studies_study_instance_uid_analyse_post_report import AnalyseV1StudiesStudyInstanceUidAnalysePostReport
from .audit_entry import AuditEntry
from .audit_entry_after_type_0 import AuditEntryAfterType0
from .audit_entry_before_type_0 import AuditEntryBeforeType0
from .authored_card import AuthoredCard
from .axis_map import AxisMap
from .breast_summary import BreastSummary
from .calibration_applied import CalibrationApplied
from .calibration_applied_parameters import CalibrationAppliedParameters
from .calibration_quality import CalibrationQuality
from .calibration_record import CalibrationRecord
from .calibration_record_method import CalibrationRecordMethod
from .calibration_record_method_selection_type_0 import CalibrationRecordMethodSelectionType0
from .calibration_record_parameters import CalibrationRecordParameters
from .card_edit import CardEdit
from .card_edit_request import CardEditRequest
from .card_format import CardFormat
from .class_prediction import ClassPrediction
from .class_probabilities import ClassProbabilities
from .classify_response import ClassifyResponse
from .classify_v1_classify_post_files_body import ClassifyV1ClassifyPostFilesBody
from .classify_v1_classify_post_format import ClassifyV1ClassifyPostFormat
from .data_ref import DataRef
from .data_summary import DataSummary
from .data_summary_label_counts import DataSummaryLabelCounts
from .detect_response import DetectResponse
from .detect_v1_detect_post_files_body import DetectV1DetectPostFilesBody
from .detect_v1_detect_post_format import DetectV1DetectPostFormat
from .detection import Detection
from .evaluation_record import EvaluationRecord
from .evaluation_record_report import EvaluationRecordReport
from .evaluation_record_task import EvaluationRecordTask
from .exam_summary import ExamSummary
from .explain_response import ExplainResponse
from .explain_response_task import ExplainResponseTask
from .explain_timing import ExplainTiming
from .explain_v1_explain_post_files_body import ExplainV1ExplainPostFilesBody
from .explain_v1_explain_post_format import ExplainV1ExplainPostFormat
from .explain_v1_explain_post_method import ExplainV1ExplainPostMethod
from .explain_v1_explain_post_task import ExplainV1ExplainPostTask
from .explained_detection import ExplainedDetection
from .explained_output import ExplainedOutput
from .explanation_method import ExplanationMethod
from .explanation_method_details import ExplanationMethodDetails
from .explanation_method_name import ExplanationMethodName
from .factors import Factors
from .grid_transform import GridTransform
from .heatmap import Heatmap
from .image_analysis import ImageAnalysis
from .image_metadata import ImageMetadata
from .image_metadata_source_format import ImageMetadataSourceFormat
from .image_summary import ImageSummary
from .image_summary_source_format import ImageSummarySourceFormat
from .ingest_options import IngestOptions
from .inspect_image_v1_inspect_post_files_body import InspectImageV1InspectPostFilesBody
from .inspect_response import InspectResponse
from .intended_use import IntendedUse
from .label import Label
from .laterality import Laterality
from .liveness import Liveness
from .metric_estimate import MetricEstimate
from .model_card import ModelCard
from .model_detail import ModelDetail
from .model_details import ModelDetails
from .model_details_hyperparameters import ModelDetailsHyperparameters
from .model_details_ingest import ModelDetailsIngest
from .model_grid import ModelGrid
from .model_used import ModelUsed
from .ood_assessment import OodAssessment
from .ood_detector_record import OodDetectorRecord
from .ood_detector_record_reference_stats import OodDetectorRecordReferenceStats
from .operating_point import OperatingPoint
from .operating_point_parameters import OperatingPointParameters
from .orientation import Orientation
from .orientation_chest_wall_side import OrientationChestWallSide
from .orientation_source import OrientationSource
from .quantitative_analysis import QuantitativeAnalysis
from .readiness import Readiness
from .readiness_tasks import ReadinessTasks
from .register_archive_v1_models_name_versions_post_files_body import RegisterArchiveV1ModelsNameVersionsPostFilesBody
from .registered_model import RegisteredModel
from .registered_model_aliases import RegisteredModelAliases
from .registered_model_task import RegisteredModelTask
from .reliability_bin import ReliabilityBin
from .render_image_v1_render_post_files_body import RenderImageV1RenderPostFilesBody
from .render_response import RenderResponse
from .rollback_request import RollbackRequest
from .shift_evaluation import ShiftEvaluation
from .skipped_image import SkippedImage
from .stored_object import StoredObject
from .stored_object_kind import StoredObjectKind
from .study_analysis import StudyAnalysis
from .subgroup_metric import SubgroupMetric
from .task_readiness import TaskReadiness
from .timing_ms import TimingMs
from .training_data_public import TrainingDataPublic
from .training_data_public_label_counts import TrainingDataPublicLabelCounts
from .training_public import TrainingPublic
from .training_public_hyperparameters import TrainingPublicHyperparameters
from .training_public_operating_point import TrainingPublicOperatingPoint
from .training_public_validation_metrics import TrainingPublicValidationMetrics
from .validation_problem import ValidationProblem
from .validation_problem_errors_item import ValidationProblemErrorsItem
from .version_public import VersionPublic
from .version_public_files import VersionPublicFiles
from .version_public_task import VersionPublicTask
from .view import View

__all__ = (
    "AliasMovePublic",
    "AliasMoveRequest",
    "AnalyseV1StudiesStudyInstanceUidAnalysePostReport",
    "AuditEntry",
    "AuditEntryAfterType0",
    "AuditEntryBeforeType0",
    "AuthoredCard",
    "AxisMap",
    "BreastSummary",
    "CalibrationApplied",
    "CalibrationAppliedParameters",
    "CalibrationQuality",
    "CalibrationRecord",
    "CalibrationRecordMethod",
    "CalibrationRecordMethodSelectionType0",
    "CalibrationRecordParameters",
    "CardEdit",
    "CardEditRequest",
    "CardFormat",
    "ClassifyResponse",
    "ClassifyV1ClassifyPostFilesBody",
    "ClassifyV1ClassifyPostFormat",
    "ClassPrediction",
    "ClassProbabilities",
    "DataRef",
    "DataSummary",
    "DataSummaryLabelCounts",
    "Detection",
    "DetectResponse",
    "DetectV1DetectPostFilesBody",
    "DetectV1DetectPostFormat",
    "EvaluationRecord",
    "EvaluationRecordReport",
    "EvaluationRecordTask",
    "ExamSummary",
    "ExplainedDetection",
    "ExplainedOutput",
    "ExplainResponse",
    "ExplainResponseTask",
    "ExplainTiming",
    "ExplainV1ExplainPostFilesBody",
    "ExplainV1ExplainPostFormat",
    "ExplainV1ExplainPostMethod",
    "ExplainV1ExplainPostTask",
    "ExplanationMethod",
    "ExplanationMethodDetails",
    "ExplanationMethodName",
    "Factors",
    "GridTransform",
    "Heatmap",
    "ImageAnalysis",
    "ImageMetadata",
    "ImageMetadataSourceFormat",
    "ImageSummary",
    "ImageSummarySourceFormat",
    "IngestOptions",
    "InspectImageV1InspectPostFilesBody",
    "InspectResponse",
    "IntendedUse",
    "Label",
    "Laterality",
    "Liveness",
    "MetricEstimate",
    "ModelCard",
    "ModelDetail",
    "ModelDetails",
    "ModelDetailsHyperparameters",
    "ModelDetailsIngest",
    "ModelGrid",
    "ModelUsed",
    "OodAssessment",
    "OodDetectorRecord",
    "OodDetectorRecordReferenceStats",
    "OperatingPoint",
    "OperatingPointParameters",
    "Orientation",
    "OrientationChestWallSide",
    "OrientationSource",
    "QuantitativeAnalysis",
    "Readiness",
    "ReadinessTasks",
    "RegisterArchiveV1ModelsNameVersionsPostFilesBody",
    "RegisteredModel",
    "RegisteredModelAliases",
    "RegisteredModelTask",
    "ReliabilityBin",
    "RenderImageV1RenderPostFilesBody",
    "RenderResponse",
    "RollbackRequest",
    "ShiftEvaluation",
    "SkippedImage",
    "StoredObject",
    "StoredObjectKind",
    "StudyAnalysis",
    "SubgroupMetric",
    "TaskReadiness",
    "TimingMs",
    "TrainingDataPublic",
    "TrainingDataPublicLabelCounts",
    "TrainingPublic",
    "TrainingPublicHyperparameters",
    "TrainingPublicOperatingPoint",
    "TrainingPublicValidationMetrics",
    "ValidationProblem",
    "ValidationProblemErrorsItem",
    "VersionPublic",
    "VersionPublicFiles",
    "VersionPublicTask",
    "View",
)
