import { router } from '../../trpc/trpc';
import { seatSummaryProcedure } from './summary';

export const seatsRouter = router({
  summary: seatSummaryProcedure,
});
