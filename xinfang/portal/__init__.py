"""The petitioners' public portal (网上信访): a separate site for writing, tracking and acting on a petition."""
