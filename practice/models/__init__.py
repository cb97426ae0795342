from practice.models.therapists import Therapist

__all__ = ["Therapist"]
